// dynalite on a worker thread of the local runtime (local/dynalite.ts starts it): the store then works on its own
// core, as DynamoDB does apart from a Lambda, instead of taking turns with the handlers on the main thread.
import dynalite from 'dynalite';
import { parentPort, workerData } from 'node:worker_threads';

const server = dynalite(workerData.options);
server.once('error', (e) => parentPort.postMessage({ error: e.message }));
server.listen(workerData.port, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
parentPort.on('message', (m) => {
  if (m !== 'close') return;
  server.closeAllConnections();
  server.close(() => parentPort.close());
});
