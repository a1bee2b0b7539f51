// The built-in secret engine over arbitrary bytes, whole and split into chunks at a point the
// input chooses: both must give the same findings.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "secret/engine.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto engine = [] {
    auto e = bulwark::secret::Engine::compile(bulwark::secret::builtin_rules());
    if (!e.ok()) std::abort();
    return std::move(e).value();
  }();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto whole = engine->scan("/fuzz", text);
  size_t cut = size == 0 ? 0 : data[0] % size;
  auto f = engine->open("/fuzz");
  f->write(text.substr(0, cut));
  f->write(text.substr(cut));
  auto split = f->finish();
  // Where the first chunk decides "binary", both views agree only if the cut is past it.
  if (!f->skipped_binary() && cut >= bulwark::secret::kBinarySniffBytes &&
      whole.size() != split.size())
    std::abort();
  return 0;
}
