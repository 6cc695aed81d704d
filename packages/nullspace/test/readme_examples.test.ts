import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readmeExamplesSuite } from '../../../scripts/readme_examples.mjs';

readmeExamplesSuite(fileURLToPath(new URL('..', import.meta.url)), { describe, it, expect });
