{
  "targets": [
    {
      "target_name": "nixshift_tree_sitter_nix",
      "dependencies": [
        "<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"
      ],
      "variables": {
        "grammar_src": "<!(node -p \"require('path').relative(process.cwd(), require('path').join(require('path').dirname(require.resolve('tree-sitter-nix/package.json')), 'src')).split(require('path').sep).join('/')\")"
      },
      "include_dirs": ["<(grammar_src)"],
      "sources": [
        "native/binding.cc",
        "<(grammar_src)/parser.c",
        "<(grammar_src)/scanner.c"
      ],
      "cflags_c": ["-std=c11", "-Wno-unused-but-set-variable", "-Wno-unused-parameter"],
      "cflags_cc": ["-std=c++17"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
