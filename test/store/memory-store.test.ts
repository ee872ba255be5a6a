import { MemoryStore } from '../../src/store/index.js';
import { storeContract } from './store-contract.js';

storeContract('MemoryStore', async () => ({
  store: new MemoryStore(),
  cleanup: async () => undefined,
}));
