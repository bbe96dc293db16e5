// Text bound for a terminal: control sequences from hosts (container logs, stderr, release fields) cannot drive it.

// C0 controls but \t and \n, DEL, and C1 (a lone 0x9b is CSI to many terminals); SGR colours (rig's own diff colours)
// are let through: they change how text looks, never where it goes, the title, the clipboard (OSC 52) or links.
const SGR = '\\u001b\\[[0-9;]*m';
const CONTROL = new RegExp(`${SGR}|\\r\\n|[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]`, 'g');

/**
 * `text` with every control character that is not a tab, a newline or an SGR colour sequence shown as `\u00XX`,
 * so that an escape sequence a host sends is printed, not obeyed. CRLF becomes LF.
 */
export function terminalSafe(text: string): string {
  return text.replace(CONTROL, (m) => {
    if (m === '\r\n') return '\n';
    if (m.length > 1) return m;
    return `\\u${m.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}
