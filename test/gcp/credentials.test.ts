// The worker's credentials reach every Google client it makes: Cloud Storage signs its
// requests with a google-auth-library other than the one the rest of the gcp cloud shares,
// so the bearer token must survive the hand-over (no emulator checks it for us).
import { describe, expect, it } from 'vitest';
import { connectGcp } from '../../activities/providers/gcp/config';
import { standinAuth } from './rehearsal';

describe('gcp credentials', () => {
  it('Cloud Storage requests carry the worker token as Authorization', async () => {
    const c = await connectGcp({ project: 'rcdebug-credentials', authClient: standinAuth() });
    try {
      const signed = await c.storage.authClient.authorizeRequest({ url: 'https://storage.googleapis.com/storage/v1/b/x/o/y', headers: { 'x-rcdebug': 'kept' } });
      const headers = Object.fromEntries(Object.entries(signed.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
      expect(headers.authorization).toBe('Bearer standin-token');
      expect(headers['x-rcdebug']).toBe('kept');
    } finally {
      await c.close();
    }
  });

});
