#include "core/result.hpp"

#include <cstring>
#include <string>

namespace bulwark::core {

std::string_view error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidInput:
      return "invalid input";
    case ErrorCode::kNotFound:
      return "not found";
    case ErrorCode::kIo:
      return "i/o error";
    case ErrorCode::kUnsupported:
      return "unsupported";
    case ErrorCode::kLimitExceeded:
      return "limit exceeded";
    case ErrorCode::kDigestMismatch:
      return "digest mismatch";
    case ErrorCode::kInternal:
      return "internal error";
  }
  return "error";
}

Error Error::from_errno(std::string_view what, int err) {
  return Error::io(std::string(what) + ": " + std::strerror(err));  // NOLINT(concurrency-mt-unsafe)
}

Error Error::with_context(std::string_view context) const& {
  Error copy = *this;
  return std::move(copy).with_context(context);
}

Error Error::with_context(std::string_view context) && {
  if (!context.empty()) {
    message_ = std::string(context) + ": " + message_;
  }
  return std::move(*this);
}

}  // namespace bulwark::core
