/** Input the user gave that cannot be read (a missing file, a corrupt archive): exit 1 with the message, no stack trace. */
export class InputError extends Error {
  override name = 'InputError';
}
