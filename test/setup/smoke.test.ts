import { Connection } from '@temporalio/client';
import { expect, inject, it } from 'vitest';

it('the global setup runs a real Temporal dev server with the rcdebug search attributes', async () => {
  const conn = await Connection.connect({ address: inject('temporalAddress') });
  try {
    const res = await conn.operatorService.listSearchAttributes({ namespace: 'default' });
    expect(Object.keys(res.customAttributes)).toEqual(
      expect.arrayContaining(['RcdebugRc', 'RcdebugCloud', 'RcdebugFlavor', 'RcdebugStep', 'RcdebugVerdict']),
    );
  } finally {
    await conn.close();
  }
});
