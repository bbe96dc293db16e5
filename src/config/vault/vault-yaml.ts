// Formats an envelope as a YAML `!vault |` block, exactly as `ansible-vault encrypt_string` prints it.

const INDENT = ' '.repeat(10);

/** `NAME: !vault |` (or `!vault |` without a name), then the envelope lines indented by 10 spaces; no final newline. */
export function formatVaultYaml(envelope: string, name?: string): string {
  const header = name ? `${name}: !vault |` : '!vault |';
  const lines = envelope.split('\n').filter((l) => l !== '');
  return [header, ...lines.map((l) => `${INDENT}${l}`)].join('\n');
}
