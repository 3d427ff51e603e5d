// N-API binding for the tree-sitter-nix grammar (npm tree-sitter-nix 0.0.2 ships parser.c and
// scanner.c, but its own nan binding is rejected by tree-sitter 0.25: "Invalid language object").
// tree-sitter 0.25 accepts an object whose `language` is an External carrying this type tag.
#include <napi.h>

typedef struct TSLanguage TSLanguage;

extern "C" const TSLanguage *tree_sitter_nix(void);

// Same tag as tree-sitter's src/language.cc (LANGUAGE_TYPE_TAG).
static const napi_type_tag LANGUAGE_TYPE_TAG = {0x8AF2E5212AD58ABF, 0xD5006CAD83ABBA16};

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports["name"] = Napi::String::New(env, "nix");
  auto language = Napi::External<TSLanguage>::New(env, const_cast<TSLanguage *>(tree_sitter_nix()));
  language.TypeTag(&LANGUAGE_TYPE_TAG);
  exports["language"] = language;
  return exports;
}

NODE_API_MODULE(nixshift_tree_sitter_nix, Init)
