import { accessMatrix } from './access-matrix-suite.ts';

// The rows live in access-matrix-suite.ts: a route without a row fails here.
accessMatrix('SQLite', async () => undefined);
