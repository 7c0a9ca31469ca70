/** The version of this package, read from its package.json (two folders up from lib/base/ and dist/base/). */
import fs = require('fs');
import path = require('path');

export const version: string = (
  JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }
).version;
