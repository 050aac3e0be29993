// The committed generated codecs are exactly what scripts/codegen.mjs makes from schema/.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../../helpers/schema-arbitraries.js';

test('regenerating from schema/ reproduces src/protocol/messages/ byte for byte', () => {
  const root = repoRoot();
  const out = mkdtempSync(join(tmpdir(), 'vltava-codegen-'));
  try {
    execFileSync(process.execPath, ['scripts/codegen.mjs', '--out', out], { cwd: root, stdio: 'pipe' });
    const committedDir = join(root, 'src/protocol/messages');
    const fresh = readdirSync(out).sort();
    const committed = readdirSync(committedDir).sort();
    assert.deepStrictEqual(committed, fresh, 'generated file set differs: run `npm run codegen`');
    for (const f of fresh) {
      const same = readFileSync(join(out, f)).equals(readFileSync(join(committedDir, f)));
      assert.ok(
        same,
        `${f} differs from a fresh codegen run: edit schema/ or scripts/codegen.mjs, then npm run codegen`,
      );
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
