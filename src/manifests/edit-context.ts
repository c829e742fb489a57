/** What every text edit needs to know about the document it edits. */
import type { Document } from 'yaml';

export interface EditContext {
  /** The document's text as it is now (edits are applied one at a time, each to a fresh parse). */
  text: string;
  doc: Document;
  /** The document's own line ending, for every line an edit inserts. */
  eol: string;
  /** The document is JSON: inserted text is JSON too. */
  json: boolean;
  /** Every block map of the document keeps its keys sorted: new keys go to their sorted place. */
  sortedKeys: boolean;
}
