// Peer mock for osp's benchmarks: what a vendor would script instead of osp.
// Serves osp's InschrijvingVO WSDL with the npm `soap` package over HTTPS that requires a client
// certificate from the dev PKI, and answers every aanleverenInschrijvingVO with a fixed
// ontvangstBevestiging — no validation, no rules, no storage.
// Usage: node server.js --certs DIR --wsdl DIR [--port 18463]   (listens on 127.0.0.1 only)
'use strict';
const fs = require('fs');
const path = require('path');
const https = require('https');
const soap = require('soap');

function arg(name, dflt) {
  const i = process.argv.indexOf('--' + name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : dflt;
}

const certs = arg('certs', 'certs-dev');
const wsdlDir = path.resolve(arg('wsdl', 'wsdl'));
const port = Number(arg('port', '18463'));
const contract = 'DUO_VOAanlevering_InschrijvingVO_V1';
const wsdlPath = path.join(wsdlDir, contract + '.wsdl');

const fixed = {
  identificatiecodeBedrijfsdocument: '9a4e1f0c-7d33-4b8e-a2c1-55e0f3b9d7aa',
  verzendendeInstantie: 'DUO',
  ontvangendeInstantie: '99AA',
  datumTijdBedrijfsdocument: '2025-09-01T08:15:00.042Z',
  ontvangstBevestiging: 'J',
  terugkoppeling: {
    identificatiecodeBedrijfsdocument: '0d9b7c3e-51a2-4c4f-8e0b-2f6a9d1c7b10',
    leveringGoedgekeurd: true,
    stand: { volgnummer: 1, aanlevermoment: '2025-09-01T08:15:00.041Z' },
  },
};

const services = {
  'DUO_VOAanlevering_InschrijvingVO_V1.0': {
    'DUO_VOAanlevering_InschrijvingVO_V1.0_Port': {
      aanleverenInschrijvingVO: () => fixed,
      aanleverenVerwijderingInschrijvingVO: () => fixed,
    },
  },
};

const server = https.createServer({
  key: fs.readFileSync(path.join(certs, 'server.key')),
  cert: fs.readFileSync(path.join(certs, 'server.pem')),
  ca: fs.readFileSync(path.join(certs, 'root-ca.pem')),
  requestCert: true,
  rejectUnauthorized: true,
});
server.keepAliveTimeout = 60000;

const wsdlXml = fs.readFileSync(wsdlPath, 'utf8');
soap.listen(server, { path: '/vo-webservices/' + contract, services, xml: wsdlXml, uri: wsdlPath }, () => {});
server.listen(port, '127.0.0.1', () => {
  console.log(`peer mock listening on https://127.0.0.1:${port}/vo-webservices/${contract}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
