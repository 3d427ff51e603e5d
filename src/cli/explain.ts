/** `nixshift explain <transform>`: its README, the findings it reports, its options and needles. */
import { builtinExplanation, loadTransform } from '../runner/load.js';
import { EXIT_OK, type Io } from './io.js';

export async function explainCommand(name: string, io: Io): Promise<number> {
  const t = await loadTransform(name, io.cwd);
  const doc = builtinExplanation(t.name);
  let out = doc ?? `# ${t.name}\n\n${t.description}\n`;
  if (!out.endsWith('\n')) out += '\n';
  if (t.rules && Object.keys(t.rules).length > 0) {
    out += `\n## Findings it reports\n\n`;
    for (const [id, r] of Object.entries(t.rules)) out += `- \`${t.name}/${id}\` (${r.severity}): ${r.summary}\n`;
  }
  if (t.options && Object.keys(t.options).length > 0) {
    out += `\n## Options (\`-o key=value\`, or \`-o ${t.name}:key=value\`)\n\n`;
    for (const [k, d] of Object.entries(t.options)) out += `- \`${k}\`: ${d}\n`;
  }
  out += `\nNeedles (prefilter): ${t.needles.length > 0 ? t.needles.map((n) => `\`${n}\``).join(', ') : '(none: every file is parsed)'}\n`;
  io.stdout.write(out);
  return EXIT_OK;
}
