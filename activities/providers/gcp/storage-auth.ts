/**
 * The worker's credentials as Cloud Storage takes them. Cloud Storage 7 (its newest line for
 * Node 20) signs requests through google-auth-library 9, which merges a client's request
 * headers as a plain record; the credentials of rcdebug are a google-auth-library 10 client
 * (the one the Compute, GKE, Secret Manager and Logging clients share), whose request headers
 * are fetch `Headers`, which that merge drops: every Storage call would go out without
 * Authorization. This view of the client gives the headers as a record and passes the rest on.
 */
import type { StorageOptions } from '@google-cloud/storage';
import type { AuthClient } from 'google-auth-library';

export type StorageAuthClient = NonNullable<StorageOptions['authClient']>;

export function storageAuthClient(auth: AuthClient): StorageAuthClient {
  const view = new Proxy(auth, {
    get(target, prop) {
      if (prop === 'getRequestHeaders') {
        return async (url?: string) => Object.fromEntries(await target.getRequestHeaders(url));
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  // The two library versions declare the same client apart; the view above is what version 9 calls.
  return view as unknown as StorageAuthClient;
}
