/** Part of the benchmark corpus generator (bench/corpus.ts): nixOS modules and tests. */
import { CUDA_SETS } from './needles.js';
import { Rng } from '../rng.js';
import { renderList, type Style } from './model.js';
import { cap } from './random.js';
import { Names, paragraphLines, sentence } from './text.js';
import { ADJ, GERUND, LOG_LEVELS, NOUN, OPTIONS } from './vocabulary.js';


export function renderModule(r: Rng, style: Style, names: Names, name: string, budget: number, cuda: boolean): string {
  const withLib = style === 'old' && r.chance(0.6);
  const L = withLib ? '' : 'lib.';
  const head = style === 'nixfmt' ? '{\n  config,\n  lib,\n  pkgs,\n  ...\n}:\n\n' : '{ config, lib, pkgs, ... }:\n\n';
  const lets: string[] = [`  cfg = config.services.${name};`];
  const useFormat = r.chance(0.5);
  if (useFormat) {
    const fmt = r.pick(['toml', 'yaml', 'json', 'ini']);
    lets.push(`  settingsFormat = pkgs.formats.${fmt} { };`, `  configFile = settingsFormat.generate "${name}.${fmt === 'yaml' ? 'yml' : fmt}" cfg.settings;`);
  }
  const pretty = cap(name);
  const options: string[] = [];
  options.push(`    enable = ${L}mkEnableOption "${pretty}, a ${r.pick(ADJ)} ${r.pick(NOUN)}";`);
  options.push(`    package = ${L}mkPackageOption pkgs "${name}" { };`);
  const used = new Set<string>();
  const option = (): string => {
    let [o, kind] = r.pick(OPTIONS);
    for (let i = 2; used.has(o); i++) o = `${r.pick(OPTIONS)[0]}${i}`;
    used.add(o);
    const desc = r.chance(0.4)
      ? `''\n${paragraphLines(r, 70, r.range(80, 300)).map((l) => `        ${l}`).join('\n')}\n      ''`
      : `"${sentence(r)}."`;
    const enumValues = kind === 'enum' ? r.pick([LOG_LEVELS.slice(0, 4), ['"server"', '"client"', '"standalone"']]) : [];
    const [type, def, example] =
      kind === 'port' ? [`${L}types.port`, String(r.range(1024, 65000)), String(r.range(1024, 65000))]
      : kind === 'bool' ? [`${L}types.bool`, r.pick(['true', 'false']), 'true']
      : kind === 'str' ? [`${L}types.str`, `"${r.pick(['', name, `${name}.example.org`, '127.0.0.1', 'localhost'])}"`, `"${name}.example.com"`]
      : kind === 'strs' ? [`${L}types.listOf ${L}types.str`, '[ ]', renderList(style, [`"--${r.pick(GERUND)}"`, `"--${r.pick(['verbose', 'quiet', 'no-color'])}"`], 3)]
      : kind === 'enum' ? [`${L}types.enum ${renderList(style, enumValues, 3)}`, r.pick(enumValues), r.pick(enumValues)]
      : kind === 'path' ? (r.chance(0.5) ? [`${L}types.path`, `"/var/lib/${name}"`, `"/srv/${name}"`] : [`${L}types.nullOr ${L}types.path`, 'null', `"/run/secrets/${name}"`])
      : [`${L}types.${r.pick(['int', 'ints.positive', 'ints.unsigned'])}`, String(r.range(1, 600)), String(r.range(1, 600))];
    const ex = r.chance(0.3) ? `\n      example = ${example};` : '';
    return `    ${o} = ${L}mkOption {\n      type = ${type};\n      default = ${def};${ex}\n      description = ${desc};\n    };`;
  };
  for (let i = r.range(1, 4); i > 0; i--) options.push(option());
  if (useFormat) {
    options.push(`    settings = ${L}mkOption {\n      inherit (settingsFormat) type;\n      default = { };\n      description = ''\n        Configuration of ${name}, see the upstream documentation for the options.\n      '';\n    };`);
  }
  const config: string[] = [];
  const exec = useFormat ? `"\${${L}getExe cfg.package} --config \${configFile}"` : `"\${cfg.package}/bin/${name}"`;
  const svc: string[] = [
    `      description = "${pretty} service";`,
    `      wantedBy = [ "multi-user.target" ];`,
    `      after = [ "network.target" ];`,
    `      serviceConfig = {\n        ExecStart = ${exec};\n        DynamicUser = true;\n        StateDirectory = "${name}";\n        Restart = "on-failure";\n      };`,
  ];
  config.push(`    systemd.services.${name} = {\n${svc.join('\n')}\n    };`);
  if (cuda) {
    config.push(`    environment.systemPackages = [\n      (pkgs.${name}.override { cudatoolkit = pkgs.${r.pick(['cudaPackages', ...CUDA_SETS])}.cudatoolkit; })\n    ];`);
  } else if (r.chance(0.4)) config.push(`    environment.systemPackages = [ cfg.package ];`);
  if (used.has('openFirewall') && used.has('port')) config.push(`    networking.firewall.allowedTCPPorts = ${L}mkIf cfg.openFirewall [ cfg.port ];`);
  const body = (opts: string[], conf: string[]): string =>
    `${head}${withLib ? 'with lib;\n\n' : ''}let\n${lets.join('\n')}\nin\n{\n  options.services.${name} = {\n${opts.join('\n\n')}\n  };\n\n  config = ${L}mkIf cfg.enable {\n${conf.join('\n\n')}\n  };\n\n  meta.maintainers = with ${L}maintainers; [ ${names.any()} ];\n}\n`;
  // padding: more options until the budget is met (the skeleton is about 900 bytes)
  let size = body(options, config).length;
  for (let guard = 0; size < budget && guard < 2000; guard++) {
    const o = option();
    options.push(o);
    size += o.length + 2;
  }
  return body(options, config);
}

export function renderNixosTest(r: Rng, style: Style, names: Names, name: string, budget: number): string {
  const lines: string[] = [`machine.wait_for_unit("${name}.service")`];
  if (r.chance(0.7)) lines.push(`machine.wait_for_open_port(${r.range(1024, 65000)})`);
  for (let size = lines[0]!.length; size < budget - 450; size += lines[lines.length - 1]!.length + 7) {
    lines.push(
      r.pick([
        `machine.succeed("curl --fail http://localhost:${r.range(1024, 65000)}/${r.pick(['health', 'api/v1/status', 'metrics', ''])}")`,
        `machine.succeed("${name} --version")`,
        `machine.fail("${name} --config /nonexistent")`,
        `machine.wait_until_succeeds("journalctl -u ${name} | grep -q ready")`,
        `with subtest("${sentence(r).toLowerCase()}"):`,
        `    machine.succeed("${name} ${r.pick(['check', 'status', 'list', 'export'])} --json | jq -e .ok")`,
        `machine.copy_from_vm("/var/lib/${name}", "state")`,
        `machine.systemctl("restart ${name}.service")`,
      ]),
    );
  }
  const script = lines.map((l) => `      ${l}`).join('\n');
  if (style === 'nixfmt') {
    return `import ./make-test-python.nix (\n  { pkgs, lib, ... }:\n  {\n    name = "${name}";\n    meta.maintainers = with lib.maintainers; [ ${names.any()} ];\n\n    nodes.machine =\n      { ... }:\n      {\n        services.${name}.enable = true;\n      };\n\n    testScript = ''\n${script.replace(/^ {6}/gm, '      ')}\n    '';\n  }\n)\n`;
  }
  return `import ./make-test-python.nix ({ pkgs, lib, ... }: {\n  name = "${name}";\n  meta.maintainers = with lib.maintainers; [ ${names.any()} ];\n\n  nodes.machine = { ... }: {\n    services.${name}.enable = true;\n  };\n\n  testScript = ''\n${script.replace(/^ {6}/gm, '    ')}\n  '';\n})\n`;
}
