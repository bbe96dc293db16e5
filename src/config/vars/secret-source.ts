// What the config layer needs from the vault: decrypt envelopes, naming the file in errors.

/** Decrypts Ansible Vault envelopes. Implemented by the vault keyring; absent when no password is configured. */
export interface SecretSource {
  decrypt(envelope: string, file: string): string;
}

/** Whether a file's whole content is a vault envelope. */
export function isVaultFile(text: string): boolean {
  return text.trimStart().startsWith('$ANSIBLE_VAULT;');
}
