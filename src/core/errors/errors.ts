// Error classes that the CLI's single catch maps to exit codes and messages.

/** The user asked for something malformed (unknown flag, missing argument). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A precondition about the user's files or machine is not met (missing password file, unknown env). */
export class UserError extends Error {
  override readonly name = 'UserError';
}

/** A secret could not be decrypted or encrypted (wrong password, corrupted vault data). Names the file. */
export class VaultError extends Error {
  override readonly name = 'VaultError';
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
  }
}
