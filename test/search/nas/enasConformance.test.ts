import { EnasSearch } from '../../../src/search/nas/enasSearch.ts';
import { describeNasSearchAlgorithm } from '../../../src/testing/describeNasSearchAlgorithm.ts';
import { nasExample, toySpace } from './helpers.ts';

const small = { controller_hidden_size: '8', controller_train_steps: '3' };

describeNasSearchAlgorithm('enas (toy space)', () => new EnasSearch(), { nas: toySpace, settings: small });
// Katib's default hidden size on its 8-layer example, with fewer training steps to keep the suite quick.
describeNasSearchAlgorithm('enas (Katib’s enas-gpu nasConfig, hidden size 64)', () => new EnasSearch(), {
  nas: nasExample('nas__enas-gpu.yaml').nas!,
  settings: { controller_train_steps: '2' },
  timeout: 60_000,
});
