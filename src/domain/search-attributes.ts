/**
 * The custom search attributes of a cycle, so the Temporal UI can filter cycles by rc, cloud,
 * flavor, current step and verdict. Pure module: workflows import it.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const RcdebugRc = defineSearchAttributeKey('RcdebugRc', SearchAttributeType.KEYWORD);
export const RcdebugCloud = defineSearchAttributeKey('RcdebugCloud', SearchAttributeType.KEYWORD);
export const RcdebugFlavor = defineSearchAttributeKey('RcdebugFlavor', SearchAttributeType.KEYWORD);
export const RcdebugStep = defineSearchAttributeKey('RcdebugStep', SearchAttributeType.KEYWORD);
export const RcdebugVerdict = defineSearchAttributeKey('RcdebugVerdict', SearchAttributeType.KEYWORD);

/** Name → type, as `temporal server start-dev --search-attribute` and the operator API want them. */
export const SEARCH_ATTRIBUTES: Record<string, 'Keyword'> = {
  RcdebugRc: 'Keyword',
  RcdebugCloud: 'Keyword',
  RcdebugFlavor: 'Keyword',
  RcdebugStep: 'Keyword',
  RcdebugVerdict: 'Keyword',
};
