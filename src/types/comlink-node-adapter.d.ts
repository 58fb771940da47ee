declare module 'comlink/dist/esm/node-adapter.mjs' {
  import type { Endpoint } from 'comlink';
  /** Adapts a Node `Worker` or `MessagePort` to comlink's endpoint interface. */
  export default function nodeEndpoint(
    nep: import('node:worker_threads').Worker | import('node:worker_threads').MessagePort,
  ): Endpoint;
}
