import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodeRequest,
  decodeRequestFrame,
  decodeResponseFrame,
  encodeRequestFrame,
  encodeResponseFrame,
  requestHeaderVersion,
  responseHeaderVersion,
} from '../../../src/protocol/framing.js';
import { ApiKeys, apiByKey, apis } from '../../../src/protocol/messages/index.js';
import { DecodeError } from '../../../src/protocol/primitives/index.js';

test('request header is v2 in flexible versions, v1 before, v0 only for ControlledShutdown v0', () => {
  assert.equal(requestHeaderVersion(ApiKeys.Produce, 8), 1);
  assert.equal(requestHeaderVersion(ApiKeys.Produce, 9), 2);
  assert.equal(requestHeaderVersion(ApiKeys.Metadata, 12), 2);
  assert.equal(requestHeaderVersion(ApiKeys.ApiVersions, 2), 1);
  assert.equal(requestHeaderVersion(ApiKeys.ApiVersions, 3), 2);
  assert.equal(requestHeaderVersion(ApiKeys.SaslHandshake, 1), 1);
  assert.equal(requestHeaderVersion(ApiKeys.ControlledShutdown, 0), 0);
  assert.equal(requestHeaderVersion(ApiKeys.ControlledShutdown, 1), 1);
  assert.equal(requestHeaderVersion(ApiKeys.ControlledShutdown, 3), 2);
});

test('ApiVersions responses always use response header v0; others follow flexibility', () => {
  for (let v = 0; v <= 4; v++) assert.equal(responseHeaderVersion(ApiKeys.ApiVersions, v), 0);
  assert.equal(responseHeaderVersion(ApiKeys.Fetch, 11), 0);
  assert.equal(responseHeaderVersion(ApiKeys.Fetch, 12), 1);
});

test('an ApiVersions request newer than any known version still parses its header', () => {
  // clients probe with their newest version; the broker must read the header to answer v0
  const body = Buffer.from([0x03, 0x61, 0x62, 0x00]); // compact "ab", no tags (kafka-style probe body)
  const head = Buffer.from([0, 18, 0, 9, 0, 0, 0, 5, 0, 1, 0x78, 0x00]); // clientId "x", no tags
  const { header, headerVersion, body: r } = decodeRequestFrame(Buffer.concat([head, body]));
  assert.equal(headerVersion, 2);
  assert.deepStrictEqual(header, { requestApiKey: 18, requestApiVersion: 9, correlationId: 5, clientId: 'x' });
  assert.equal(r.remaining, body.length);
});

test('request frames round trip through encodeRequestFrame / decodeRequest', () => {
  const header = { requestApiKey: ApiKeys.Metadata, requestApiVersion: 12, correlationId: 42, clientId: 'c1' };
  const request = {
    topics: null,
    allowAutoTopicCreation: true,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  };
  const frame = encodeRequestFrame(header, request);
  assert.equal(frame.readInt32BE(0), frame.length - 4);
  const decoded = decodeRequest(frame.subarray(4));
  assert.deepStrictEqual(decoded.header, header);
  assert.deepStrictEqual(decoded.request, request);
});

test('the v0 header of ControlledShutdown v0 has no client id', () => {
  const frame = encodeRequestFrame(
    { requestApiKey: 7, requestApiVersion: 0, correlationId: 1, clientId: '' },
    { brokerId: 3, brokerEpoch: -1n },
  );
  assert.equal(frame.length, 4 + 8 + 4);
  const { header } = decodeRequest(frame.subarray(4));
  assert.equal(header.correlationId, 1);
});

test('response frames carry size prefix and the right header version', () => {
  const apiVersions = {
    errorCode: 0,
    apiKeys: [{ apiKey: 0, minVersion: 3, maxVersion: 11 }],
    throttleTimeMs: 0,
    supportedFeatures: [],
    finalizedFeaturesEpoch: -1n,
    finalizedFeatures: [],
    zkMigrationReady: false,
  };
  const f = encodeResponseFrame(ApiKeys.ApiVersions, 3, 99, apiVersions);
  assert.equal(f.readInt32BE(0), f.length - 4);
  assert.equal(f.readInt32BE(4), 99);
  // header v0: the error code follows the correlation id directly, no tag buffer
  assert.equal(f.readInt16BE(8), 0);
  const back = decodeResponseFrame(f.subarray(4), ApiKeys.ApiVersions, 3);
  assert.equal(back.correlationId, 99);
  assert.deepStrictEqual(back.response, apiVersions);

  const hb = encodeResponseFrame(ApiKeys.Heartbeat, 4, 7, { throttleTimeMs: 0, errorCode: 0 });
  // header v1: correlation id then an empty tag buffer
  assert.deepStrictEqual([...hb.subarray(4)], [0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0]);
});

test('unknown API keys, trailing bytes and short frames are DecodeErrors', () => {
  assert.throws(() => decodeRequestFrame(Buffer.from([0, 99, 0, 0, 0, 0, 0, 1, 0xff, 0xff])), DecodeError);
  assert.throws(() => decodeRequestFrame(Buffer.from([0, 18])), DecodeError);
  const frame = encodeRequestFrame(
    { requestApiKey: 12, requestApiVersion: 0, correlationId: 1, clientId: null },
    { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null },
  );
  assert.throws(() => decodeRequest(Buffer.concat([frame.subarray(4), Buffer.from([0])])), DecodeError);
});

test('the API table covers every client- and broker-facing key, sorted, with sane ranges', () => {
  assert.equal(apis.length, 79);
  for (let i = 1; i < apis.length; i++) assert.ok(apis[i - 1]!.apiKey < apis[i]!.apiKey);
  for (const a of apis) {
    assert.ok(a.minVersion <= a.maxVersion, a.name);
    assert.equal(apiByKey(a.apiKey), a);
  }
  assert.deepStrictEqual(apiByKey(0)!.deprecatedVersions, { min: 0, max: 6 });
  assert.equal(apiByKey(17)!.flexibleFrom, null);
  for (const k of [4, 5, 6, 7]) assert.ok(apiByKey(k), `inter-broker API ${k}`);
  assert.equal(apiByKey(52), undefined); // Vote: KRaft controller only
});
