/**
 * Node's own ceiling for the endpoint bench: a minimal node:http server with the emulator's server
 * settings (timeouts, keep-alive, no Nagle) that reads each request body and answers a canned
 * response (a recorded Encrypt answer, with the same headers as the emulator's). Prints
 * `listening on http://127.0.0.1:<port>` when ready.
 *
 *   node bench/ceiling-server.mjs '{"headers":{…},"body":"{…}"}'
 */
import { createServer } from 'node:http';

const canned = JSON.parse(process.argv[2]);
const body = Buffer.from(canned.body, 'utf8');
const server = createServer(
  { headersTimeout: 10_000, requestTimeout: 30_000, keepAliveTimeout: 65_000, connectionsCheckingInterval: 1000, noDelay: true },
  (req, res) => {
    req.on('data', () => {});
    req.on('end', () => {
      res.statusCode = 200;
      for (const [name, value] of Object.entries(canned.headers)) res.setHeader(name, value);
      res.setHeader('x-amzn-requestid', crypto.randomUUID());
      res.setHeader('date', new Date().toUTCString());
      res.setHeader('content-length', body.length);
      res.end(body);
    });
  },
);
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`listening on http://127.0.0.1:${server.address().port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)) && server.closeAllConnections());
