import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { AwsClients } from './config';
import { awsErrorCode, classifyAwsError } from './errors';
import { InfraError } from '../../../src/domain/errors';

/** A small S3 object as text, or undefined when there is none. */
export async function s3Text(clients: AwsClients, bucket: string, key: string): Promise<string | undefined> {
  try {
    const res = await clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return (await res.Body?.transformToString('utf8')) ?? '';
  } catch (err) {
    if (awsErrorCode(err) === 'NoSuchKey' || (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return undefined;
    throw classifyAwsError(err, `S3 GetObject s3://${bucket}/${key}`);
  }
}

/** A small S3 JSON object, or undefined when there is none. */
export async function s3Json<T>(clients: AwsClients, bucket: string, key: string): Promise<T | undefined> {
  const text = await s3Text(clients, bucket, key);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new InfraError(`s3://${bucket}/${key} is not JSON: ${(err as Error).message}`);
  }
}
