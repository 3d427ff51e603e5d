{
  "variables": {
    "grammar_src": "<!(node -p \"require('path').relative(process.cwd(), require('path').join(require('path').dirname(require.resolve('tree-sitter-nix/package.json')), 'src')).split(require('path').sep).join('/')\")",
    "runtime_lib": "<!(node -p \"require('path').relative(process.cwd(), require('path').join(require('path').dirname(require.resolve('tree-sitter/package.json')), 'vendor', 'tree-sitter', 'lib')).split(require('path').sep).join('/')\")"
  },
  "targets": [
    {
      "target_name": "nixshift_tree_sitter_nix",
      "dependencies": [
        "tree_sitter_runtime",
        "<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"
      ],
      "include_dirs": ["<(grammar_src)", "<(runtime_lib)/include", "<(runtime_lib)/src"],
      "sources": [
        "native/binding.cc",
        "native/flatten.c",
        "native/nesting.c",
        "<(grammar_src)/parser.c",
        "<(grammar_src)/scanner.c"
      ],
      "cflags": ["-fvisibility=hidden"],
      "cflags_c": ["-std=c11", "-Wno-unused-but-set-variable", "-Wno-unused-parameter"],
      "cflags_cc": ["-std=c++17", "-fvisibility=hidden"],
      "xcode_settings": { "GCC_SYMBOLS_PRIVATE_EXTERN": "YES", "CLANG_CXX_LANGUAGE_STANDARD": "c++17" },
      "defines": ["NAPI_VERSION=8"]
    },
    {
      "target_name": "tree_sitter_runtime",
      "type": "static_library",
      "sources": ["<(runtime_lib)/src/lib.c"],
      "include_dirs": ["<(runtime_lib)/src", "<(runtime_lib)/include"],
      "defines": ["_POSIX_C_SOURCE=200112L", "_DEFAULT_SOURCE"],
      "cflags": ["-fvisibility=hidden"],
      "cflags_c": ["-std=c11"],
      "xcode_settings": { "GCC_SYMBOLS_PRIVATE_EXTERN": "YES" }
    }
  ]
}
