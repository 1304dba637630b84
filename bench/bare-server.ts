/**
 * @module The physical limit of this stack: a bare `node:http` server that reads each request
 * body and answers the same precomputed bytes greenlight answers, with nothing in between (no
 * express, no auth, no parsing, no selection, no logging). Started by the benchmark as its own
 * process: `node --import tsx bench/bare-server.ts <body file> <port>`.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const [bodyPath, portText] = process.argv.slice(2);
if (bodyPath === undefined || portText === undefined) {
  process.stderr.write('usage: bare-server.ts <body file> <port>\n');
  process.exit(2);
}
const body = readFileSync(bodyPath);
const headers = { 'content-type': 'application/json; charset=utf-8', 'content-length': String(body.length) };

const server = createServer((req, res) => {
  // Consume the request as greenlight must before it can answer.
  req.on('data', () => {});
  req.on('end', () => {
    res.writeHead(200, headers);
    res.end(body);
  });
});
server.keepAliveTimeout = 95_000;
server.listen(Number(portText), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
