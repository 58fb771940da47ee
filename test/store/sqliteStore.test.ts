// Store v2's contract (contract.ts) over SQLite: a fresh store folder per test; a second handle is another
// connection to the same file.
import { openStore } from '../../src/store/open.ts';
import { describeStoreContract } from './contract.ts';
import { tempDir } from './fixtures.ts';

describeStoreContract('SqliteStore', async () => {
  const dir = tempDir();
  return { store: openStore(dir), reopen: () => openStore(dir) };
});
