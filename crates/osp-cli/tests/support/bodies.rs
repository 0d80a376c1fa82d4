//! Request bodies the end-to-end tests of the `osp` binary send (serve-level tests in this
//! folder and the hostile suite in the repository's `tests/hostile/`): written once.

/// A valid InschrijvingVO delivery for 99AA (one period, leerjaar 1).
pub fn inschrijving(id: &str, volgnummer: &str, bsn: &str) -> String {
    format!(
        r#"<ins:aanleverenInschrijvingVO_Request xmlns:ins="http://duo.nl/schema/DUO_VOAanlevering_InschrijvingVO_V1" xmlns:bas="http://duo.nl/schema/DUO_VOBasisschema_Inschrijving_V1">
  <bas:identificatiecodeBedrijfsdocument>{id}</bas:identificatiecodeBedrijfsdocument>
  <bas:verzendendeInstantie>99AA</bas:verzendendeInstantie>
  <bas:ontvangendeInstantie>DUO</bas:ontvangendeInstantie>
  <bas:datumTijdBedrijfsdocument>2025-09-15T08:00:00Z</bas:datumTijdBedrijfsdocument>
  <bas:burgerservicenummer>{bsn}</bas:burgerservicenummer>
  <bas:brin>99AA</bas:brin>
  <bas:inschrijvingvolgnummer>{volgnummer}</bas:inschrijvingvolgnummer>
  <bas:datumInschrijving>2024-08-01</bas:datumInschrijving>
  <ins:inschrijvingPeriodeVO>
    <bas:datumBegin>2024-08-01</bas:datumBegin><bas:onderwijsaanbieder>100A001</bas:onderwijsaanbieder><bas:onderwijslocatie>100X001</bas:onderwijslocatie><bas:opleidingcode>3001</bas:opleidingcode>
    <ins:vestiging>99AA00</ins:vestiging><ins:leerjaar>1</ins:leerjaar><ins:indicatieBekostigbaar>true</ins:indicatieBekostigbaar>
  </ins:inschrijvingPeriodeVO>
</ins:aanleverenInschrijvingVO_Request>"#
    )
}
