// N-API binding for the tree-sitter-nix grammar (npm tree-sitter-nix 0.0.2 ships parser.c and
// scanner.c, but its own nan binding is rejected by tree-sitter 0.25: "Invalid language object").
//
// Two things are exported:
//
// - `language`: an External carrying tree-sitter's type tag, which the Node binding of
//   tree-sitter 0.25 accepts (the tests use that binding as an oracle for our own trees);
// - `parse(text, oldTree, edits)`: our own parse. It runs the same tree-sitter runtime (compiled
//   from the `tree-sitter` package's vendored sources) and returns the whole tree at once as a
//   flat Int32Array, one record per visible node in pre-order (see src/nix/tree.ts). Looking at
//   nodes is then plain JavaScript: the Node binding crosses into native code for every
//   property of every node (`type`, `startIndex`, `parent`, …), which was most of the time of a
//   rewrite, and finds a parent by descending from the root.
#include <napi.h>
#include <tree_sitter/api.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <sys/stat.h>
#ifdef __linux__
#include <sys/syscall.h>
#endif
#include <unistd.h>
#include <uv.h>

extern "C" const TSLanguage *tree_sitter_nix(void);

// Same tag as tree-sitter's src/language.cc (LANGUAGE_TYPE_TAG).
static const napi_type_tag LANGUAGE_TYPE_TAG = {0x8AF2E5212AD58ABF, 0xD5006CAD83ABBA16};
// Our own tag for the External holding a TSTree.
static const napi_type_tag TREE_TYPE_TAG = {0x6E69787368696674, 0x5453547265650001};

#include "flatten.h"
#include "nesting.h"

// One parser and scratch buffers per thread (worker threads each load this module; tree-sitter
// parsers are not thread-safe).
struct ThreadState {
  TSParser *parser = nullptr;
  std::vector<char16_t> text;
  // The prefilter of `scan` (see below).
  std::vector<std::string> needles;
  std::vector<char> bytes;
  ~ThreadState() {
    if (parser) ts_parser_delete(parser);
    nixshift_flatten_release();
  }
};
static thread_local ThreadState state;

static TSParser *Parser() {
  if (!state.parser) {
    state.parser = ts_parser_new();
    ts_parser_set_language(state.parser, tree_sitter_nix());
  }
  return state.parser;
}

// A rough size of a tree's native memory (measured: about 95 bytes a node), reported to V8 so
// that it collects the JavaScript handles of dead trees (and so frees them) as it would for
// memory it allocated itself. The runner frees each file's trees when done (`release`).
static int64_t NativeSize(size_t nodes) { return static_cast<int64_t>(nodes) * 96; }

struct TreeBox {
  TSTree *tree;
  int64_t size;
};

static TreeBox *UnwrapTree(const Napi::Value &value) {
  if (!value.IsExternal()) return nullptr;
  auto external = value.As<Napi::External<TreeBox>>();
  if (!external.CheckTypeTag(&TREE_TYPE_TAG)) return nullptr;
  return external.Data();
}

// parse(text: string, old: External | null, edits: Int32Array | null) → [tree: External, nodes: Int32Array]
//
// `edits` (only with `old`) holds 9 numbers per edit, in UTF-16 units: start, old end, new end,
// then the rows and columns of those three points. They are applied to `old` in the order given
// (tree-sitter's ts_tree_edit, which changes `old` in place), then `text` is parsed reusing it.
static Napi::Value Parse(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) {
    Napi::TypeError::New(env, "parse: the text must be a string").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  napi_value str = info[0];
  size_t length = 0;
  napi_get_value_string_utf16(env, str, nullptr, 0, &length);
  if (length > 0x3fffffff) {
    Napi::RangeError::New(env, "parse: text too long").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::vector<char16_t> &text = state.text;
  text.resize(length + 1);
  napi_get_value_string_utf16(env, str, text.data(), length + 1, &length);

  TSTree *old = nullptr;
  if (info.Length() > 1 && !info[1].IsNull() && !info[1].IsUndefined()) {
    TreeBox *box = UnwrapTree(info[1]);
    if (!box || !box->tree) {
      Napi::TypeError::New(env, "parse: not a tree").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    old = box->tree;
    if (info.Length() > 2 && info[2].IsTypedArray()) {
      auto edits = info[2].As<Napi::Int32Array>();
      for (size_t i = 0; i + 9 <= edits.ElementLength(); i += 9) {
        TSInputEdit e;
        e.start_byte = static_cast<uint32_t>(edits[i]) * 2;
        e.old_end_byte = static_cast<uint32_t>(edits[i + 1]) * 2;
        e.new_end_byte = static_cast<uint32_t>(edits[i + 2]) * 2;
        e.start_point = {static_cast<uint32_t>(edits[i + 3]), static_cast<uint32_t>(edits[i + 4]) * 2};
        e.old_end_point = {static_cast<uint32_t>(edits[i + 5]), static_cast<uint32_t>(edits[i + 6]) * 2};
        e.new_end_point = {static_cast<uint32_t>(edits[i + 7]), static_cast<uint32_t>(edits[i + 8]) * 2};
        ts_tree_edit(old, &e);
      }
    }
  }

  TSTree *tree = ts_parser_parse_string_encoding(Parser(), old, reinterpret_cast<const char *>(text.data()),
                                                 static_cast<uint32_t>(length * 2), TSInputEncodingUTF16LE);
  if (!tree) {
    Napi::Error::New(env, "parse: tree-sitter returned no tree").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  // Keep the scratch text small after a giant file.
  if (text.capacity() > (1u << 22)) std::vector<char16_t>().swap(text);

  size_t count = nixshift_node_count(tree);
  auto buffer = Napi::ArrayBuffer::New(env, count * NX_STRIDE * sizeof(int32_t));
  if (nixshift_flatten(tree, static_cast<int32_t *>(buffer.Data()), count) != 0) {
    ts_tree_delete(tree);
    Napi::Error::New(env, "parse: the tree could not be flattened").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  nixshift_flatten_trim();
  auto nodes = Napi::Int32Array::New(env, count * NX_STRIDE, buffer, 0);

  auto *box = new TreeBox{tree, NativeSize(count)};
  auto handle = Napi::External<TreeBox>::New(env, box, [](Napi::Env env, TreeBox *b) {
    if (b->tree) ts_tree_delete(b->tree);
    Napi::MemoryManagement::AdjustExternalMemory(env, -b->size);
    delete b;
  });
  handle.TypeTag(&TREE_TYPE_TAG);
  Napi::MemoryManagement::AdjustExternalMemory(env, box->size);

  auto result = Napi::Array::New(env, 2);
  result.Set(0u, handle);
  result.Set(1u, nodes);
  return result;
}

// Free a tree's native memory now (its handle may not be used for parsing afterwards).
static Napi::Value Release(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  TreeBox *box = info.Length() > 0 ? UnwrapTree(info[0]) : nullptr;
  if (box && box->tree) {
    ts_tree_delete(box->tree);
    box->tree = nullptr;
    Napi::MemoryManagement::AdjustExternalMemory(env, -box->size);
    box->size = 0;
  }
  return env.Undefined();
}

// setNeedles(needles: string[]): the needles `scan` tests (their UTF-8 bytes), for this thread.
static Napi::Value SetNeedles(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsArray()) {
    Napi::TypeError::New(env, "setNeedles: an array of strings").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  auto list = info[0].As<Napi::Array>();
  std::vector<std::string> needles;
  for (uint32_t i = 0; i < list.Length(); i++) {
    Napi::Value v = list.Get(i);
    if (!v.IsString()) {
      Napi::TypeError::New(env, "setNeedles: an array of strings").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    needles.push_back(v.As<Napi::String>().Utf8Value());
  }
  state.needles = std::move(needles);
  return env.Undefined();
}

// The scan of one file (see `scan` below): its size, or -1.
static double ScanFile(const char *path, double limit) {
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return -1;
  std::vector<char> &buf = state.bytes;
  if (buf.size() < (1u << 17)) buf.resize(1u << 17);
  size_t got = 0;
  bool ok = true;
  for (;;) {
    if (got == buf.size()) {
      if (static_cast<double>(got) > limit) {
        ok = false;
        break;
      }
      // Never more than one byte past the limit (a 12 MB generated file is not read whole).
      buf.resize(std::min(buf.size() * 2, static_cast<size_t>(limit) + 1));
    }
    ssize_t n = read(fd, buf.data() + got, buf.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      ok = false;
      break;
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  close(fd);
  if (ok && static_cast<double>(got) > limit) ok = false;
  if (ok) {
    for (const std::string &needle : state.needles) {
      if (memmem(buf.data(), got, needle.data(), needle.size()) != nullptr) {
        ok = false;
        break;
      }
    }
  }
  // Keep the scratch buffer small after a large file.
  if (buf.size() > (1u << 22)) std::vector<char>().swap(buf);
  return ok ? static_cast<double>(got) : -1;
}

// scan(path: string, limit: number) → size, or -1.
//
// The prefilter's fast path for a file the walk listed as regular, all in native code (no
// buffer, no string, no object for the garbage collector): open, read to the end, close, and look
// for the needles of `setNeedles` in the bytes. The answer is the file's size when it could be
// read, is at most `limit` bytes and contains no needle: a plain skip, which most files of
// nixpkgs are. Anything else (a needle, an error, a larger file) answers -1, and the caller takes
// the ordinary way (intake.ts), which reads the file again and says what happened.
static Napi::Value Scan(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsNumber()) {
    Napi::TypeError::New(env, "scan: a path and a size limit").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::string path = info[0].As<Napi::String>().Utf8Value();
  // A path cannot hold a NUL byte (the ordinary way refuses it, as Node does).
  if (path.find('\0') != std::string::npos) return Napi::Number::New(env, -1);
  return Napi::Number::New(env, ScanFile(path.c_str(), info[1].As<Napi::Number>().DoubleValue()));
}

// An Int32Array's elements, or null (undefined, null, or not an Int32Array).
static int32_t *Int32Data(const Napi::Value &v, size_t *length) {
  *length = 0;
  if (!v.IsTypedArray()) return nullptr;
  auto ta = v.As<Napi::TypedArray>();
  if (ta.TypedArrayType() != napi_int32_array) return nullptr;
  auto a = v.As<Napi::Int32Array>();
  *length = a.ElementLength();
  return a.Data();
}

// scanBatch(paths: string, limit: number, indices: Int32Array, control: Int32Array | null,
//           epoch: number, abort: Int32Array | null) → Float64Array
//
// `scan` for a batch of files the walk listed as regular, their paths joined by NULs (as a batch
// travels to a worker thread, see packJobs in intake.ts): one call per batch instead of one per
// file, and no object per file in JavaScript. The answer holds one size (or -1) per file, in
// order. The thread's `control` (shared with the main thread, see worker.ts) says which file is
// being read, as it does for a file read from JavaScript: [its index from `indices`, its start in
// ms since `epoch`], then [-1, …] when the batch is done. When `abort` (shared by all threads) is
// set, the batch stops before the next file: the answer is then shorter than the batch.
static Napi::Value ScanBatch(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() < 6 || !info[0].IsString() || !info[1].IsNumber() || !info[4].IsNumber()) {
    Napi::TypeError::New(env, "scanBatch: paths, a size limit, indices, control, epoch, abort").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::string paths = info[0].As<Napi::String>().Utf8Value();
  double limit = info[1].As<Napi::Number>().DoubleValue();
  size_t nIndices = 0, nControl = 0, nAbort = 0;
  int32_t *indices = Int32Data(info[2], &nIndices);
  int32_t *control = Int32Data(info[3], &nControl);
  int32_t *abort = Int32Data(info[5], &nAbort);
  if (control && nControl < 2) control = nullptr;
  if (abort && nAbort < 1) abort = nullptr;
  double epoch = info[4].As<Napi::Number>().DoubleValue();
  std::vector<double> sizes;
  size_t from = paths.empty() ? 1 : 0;  // no path at all: an empty batch
  for (size_t i = 0; from <= paths.size(); i++) {
    size_t end = paths.find('\0', from);
    if (end == std::string::npos) end = paths.size();
    if (abort && __atomic_load_n(abort, __ATOMIC_SEQ_CST) != 0) break;
    if (control) {
      struct timespec now;
      clock_gettime(CLOCK_REALTIME, &now);
      double ms = static_cast<double>(now.tv_sec) * 1000 + static_cast<double>(now.tv_nsec / 1000000);
      __atomic_store_n(&control[1], static_cast<int32_t>(ms - epoch), __ATOMIC_SEQ_CST);
      __atomic_store_n(&control[0], indices && i < nIndices ? indices[i] : -1, __ATOMIC_SEQ_CST);
    }
    paths[end] = '\0';
    sizes.push_back(ScanFile(paths.c_str() + from, limit));
    from = end + 1;
  }
  if (control) __atomic_store_n(&control[0], -1, __ATOMIC_SEQ_CST);
  auto out = Napi::Float64Array::New(env, sizes.size());
  if (!sizes.empty()) std::memcpy(out.Data(), sizes.data(), sizes.size() * sizeof(double));
  return out;
}

// nestingDepth(text: string, limit: number) → the deepest nesting of the text (see nesting.c),
// counted up to just past `limit`.
static Napi::Value NestingDepth(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsNumber()) {
    Napi::TypeError::New(env, "nestingDepth: a text and a limit").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  size_t length = 0;
  napi_get_value_string_utf16(env, info[0], nullptr, 0, &length);
  std::vector<char16_t> &text = state.text;
  if (text.size() < length + 1) text.resize(length + 1);
  napi_get_value_string_utf16(env, info[0], text.data(), length + 1, &length);
  double depth = nixshift_nesting_depth(reinterpret_cast<const uint16_t *>(text.data()), length, info[1].As<Napi::Number>().DoubleValue());
  if (depth < 0) {
    Napi::Error::New(env, "nestingDepth: out of memory").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return Napi::Number::New(env, depth);
}

// The UTF-16 code units of UTF-8 `s`, as JavaScript compares strings (an invalid byte counts as
// U+FFFD; such a name cannot be opened by the path the walk makes of it anyway).
static std::u16string Utf16Key(const std::string &s) {
  std::u16string out;
  out.reserve(s.size());
  size_t i = 0, n = s.size();
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    uint32_t cp = 0xFFFD;
    size_t len = 1;
    if (c < 0x80) {
      cp = c;
    } else {
      size_t need = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
      if (need > 0 && i + need <= n) {
        uint32_t v = c & (0x7F >> need);
        bool ok = true;
        for (size_t k = 1; k < need; k++) {
          unsigned char d = static_cast<unsigned char>(s[i + k]);
          if ((d & 0xC0) != 0x80) {
            ok = false;
            break;
          }
          v = (v << 6) | (d & 0x3F);
        }
        if (ok) {
          cp = v;
          len = need;
        }
      }
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(static_cast<char16_t>(0xD800 + (cp >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
      out.push_back(static_cast<char16_t>(cp));
    }
    i += len;
  }
  return out;
}

// An error like the ones Node's fs functions throw (`code`, `errno`, `syscall`, `path`).
static void ThrowFsError(Napi::Env env, int err, const char *syscall, const std::string &path) {
  const char *code = uv_err_name(-err);
  std::string message = std::string(code) + ": " + uv_strerror(-err) + ", " + syscall + " '" + path + "'";
  Napi::Error e = Napi::Error::New(env, message);
  e.Set("errno", Napi::Number::New(env, -err));
  e.Set("code", Napi::String::New(env, code));
  e.Set("syscall", Napi::String::New(env, syscall));
  e.Set("path", Napi::String::New(env, path));
  e.ThrowAsJavaScriptException();
}

// listDir(path: string) → string
//
// The entries of a folder in the order the walk visits them (src/runner/discover.ts): sorted as
// JavaScript sorts strings, a folder as `name/`. Each entry is one type letter (`d` folder, `f`
// regular file, `l` symbolic link, `o` anything else), its name and a NUL. What readdirSync with
// file types gives, without an object per entry, and the sort done here: on a nixpkgs checkout the
// walk lists 46,000 folders, and the JavaScript around readdirSync cost about as much as its
// system calls. A failure throws as readdirSync does (`code` ENOENT, EACCES, ENOTDIR, …).
static Napi::Value ListDir(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) {
    Napi::TypeError::New(env, "listDir: a path").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::string path = info[0].As<Napi::String>().Utf8Value();
  if (path.find('\0') != std::string::npos) {
    ThrowFsError(env, ENOENT, "scandir", path);
    return env.Undefined();
  }
  int fd = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    ThrowFsError(env, errno, "scandir", path);
    return env.Undefined();
  }
  struct Entry {
    std::u16string key;
    std::string name;
    char type;
  };
  std::vector<Entry> entries;
  auto add = [&](const char *name, unsigned char t) {
    if (name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0))) return;
    if (t == DT_UNKNOWN) {
      // Some file systems do not say: ask, without following a link (as Node does).
      struct stat st;
      if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        t = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : S_ISLNK(st.st_mode) ? DT_LNK : DT_UNKNOWN;
      }
    }
    char type = t == DT_DIR ? 'd' : t == DT_REG ? 'f' : t == DT_LNK ? 'l' : 'o';
    entries.push_back(Entry{Utf16Key(type == 'd' ? std::string(name) + "/" : std::string(name)), std::string(name), type});
  };
  int err = 0;
#ifdef __linux__
  // getdents64 straight: opendir would add an fcntl and an fstat per folder.
  alignas(8) static thread_local char buffer[32768];
  for (;;) {
    long n = syscall(SYS_getdents64, fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      err = errno;
      break;
    }
    if (n == 0) break;
    for (long off = 0; off < n;) {
      auto *e = reinterpret_cast<struct dirent64 *>(buffer + off);
      off += e->d_reclen;
      add(e->d_name, e->d_type);
    }
  }
  close(fd);
#else
  DIR *dir = fdopendir(fd);
  if (!dir) {
    err = errno;
    close(fd);
  } else {
    for (;;) {
      errno = 0;
      struct dirent *e = readdir(dir);
      if (!e) {
        err = errno;
        break;
      }
      add(e->d_name, e->d_type);
    }
    closedir(dir);
  }
#endif
  if (err != 0) {
    ThrowFsError(env, err, "scandir", path);
    return env.Undefined();
  }
  std::stable_sort(entries.begin(), entries.end(), [](const Entry &a, const Entry &b) { return a.key < b.key; });
  std::string out;
  for (const Entry &e : entries) {
    out.push_back(e.type);
    out += e.name;
    out.push_back('\0');
  }
  return Napi::String::New(env, out);
}

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  const TSLanguage *lang = tree_sitter_nix();
  exports["name"] = Napi::String::New(env, "nix");
  auto language = Napi::External<TSLanguage>::New(env, const_cast<TSLanguage *>(lang));
  language.TypeTag(&LANGUAGE_TYPE_TAG);
  exports["language"] = language;

  uint32_t symbols = ts_language_symbol_count(lang);
  auto names = Napi::Array::New(env, symbols);
  for (uint32_t i = 0; i < symbols; i++) {
    const char *name = ts_language_symbol_name(lang, static_cast<TSSymbol>(i));
    names.Set(i, Napi::String::New(env, name ? name : ""));
  }
  exports["symbolNames"] = names;
  uint32_t fields = ts_language_field_count(lang);
  auto fieldNames = Napi::Array::New(env, fields + 1);
  fieldNames.Set(0u, Napi::String::New(env, ""));
  for (uint32_t i = 1; i <= fields; i++) {
    const char *name = ts_language_field_name_for_id(lang, static_cast<TSFieldId>(i));
    fieldNames.Set(i, Napi::String::New(env, name ? name : ""));
  }
  exports["fieldNames"] = fieldNames;
  exports["parse"] = Napi::Function::New(env, Parse, "parse");
  exports["release"] = Napi::Function::New(env, Release, "release");
  exports["setNeedles"] = Napi::Function::New(env, SetNeedles, "setNeedles");
  exports["scan"] = Napi::Function::New(env, Scan, "scan");
  exports["scanBatch"] = Napi::Function::New(env, ScanBatch, "scanBatch");
  exports["nestingDepth"] = Napi::Function::New(env, NestingDepth, "nestingDepth");
  exports["listDir"] = Napi::Function::New(env, ListDir, "listDir");
  return exports;
}

NODE_API_MODULE(nixshift_tree_sitter_nix, Init)
