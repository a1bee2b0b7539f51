// Ruby gemspecs (RubyGems-written specifications) and Gemfile.lock.
#include <cstdint>
#include <string_view>

#include "catalog/ruby.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto spec = bulwark::catalog::parse_gemspec(text);
  (void)spec;
  auto lock = bulwark::catalog::parse_gemfile_lock(text);
  (void)lock;
  (void)bulwark::catalog::is_installed_gemspec_path(text);
  return 0;
}
