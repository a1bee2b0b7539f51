// The bytes of an offered entry without a copy when the layer reader already holds them
// (every executable in an image passes through the binary catalogers: copies add up).
#pragma once

#include <string>
#include <string_view>

#include "core/limits.hpp"
#include "image/layer_reader.hpp"

namespace bulwark::catalog {

inline core::Result<std::string_view> entry_bytes(image::EntryContent& content,
                                                  std::string& storage) {
  if (auto v = content.view()) return *v;
  BW_ASSIGN_OR_RETURN(storage, content.read_all(core::limits().max_file_read));
  return std::string_view(storage);
}

}  // namespace bulwark::catalog
