/** Node options that let trial and worker child processes run the TypeScript sources (no build needed). */
import * as path from 'node:path';

export const NODE_ARGS = ['-r', path.join(__dirname, 'register-ts.js')];
