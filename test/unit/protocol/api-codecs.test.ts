// Codecs loaded per API key on first use (api-codecs.ts, the generated api-table.ts) are exactly
// the codecs of the full table in messages/index.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadApiCodecs, loadedApiCodecs } from '../../../src/protocol/api-codecs.js';
import { ApiKeys, apiInfoByKey, apiInfos } from '../../../src/protocol/messages/api-table.js';
import { apis } from '../../../src/protocol/messages/index.js';
import { DecodeError } from '../../../src/protocol/primitives/index.js';

test('ApiVersions codecs are loaded before any request', () => {
  assert.equal(typeof loadedApiCodecs(ApiKeys.ApiVersions)?.decodeRequest, 'function');
});

test('every API key loads the same four codecs the full table holds', async () => {
  assert.equal(apiInfos.length, apis.length);
  for (const api of apis) {
    const codecs = await loadApiCodecs(api.apiKey);
    assert.equal(codecs.encodeRequest, api.encodeRequest, api.name);
    assert.equal(codecs.decodeRequest, api.decodeRequest, api.name);
    assert.equal(codecs.encodeResponse, api.encodeResponse, api.name);
    assert.equal(codecs.decodeResponse, api.decodeResponse, api.name);
    assert.equal(loadedApiCodecs(api.apiKey), codecs);
    const { encodeRequest, decodeRequest, encodeResponse, decodeResponse, ...info } = api;
    assert.deepEqual(apiInfoByKey(api.apiKey), info);
  }
});

test('an API key this build does not know is a DecodeError', async () => {
  await assert.rejects(loadApiCodecs(9999), DecodeError);
});
