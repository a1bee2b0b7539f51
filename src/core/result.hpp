// Expected failures as values: every fallible call returns Result<T>, which carries either a
// value or an Error. Both are [[nodiscard]] so an error can never be dropped unnoticed.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace bulwark::core {

enum class ErrorCode {
  kInvalidInput,    // malformed bytes: bad JSON, truncated tar, corrupt database
  kNotFound,        // a file, blob or entry that should exist does not
  kIo,              // the operating system refused a read or write
  kUnsupported,     // a valid input we do not handle (schema 1 manifest, unknown media type)
  kLimitExceeded,   // a configured limit in core/limits was hit (bomb, huge entry, deep links)
  kDigestMismatch,  // content does not hash to the digest that names it
  kInternal,        // a bug in bulwark; never caused by input alone
};

std::string_view error_code_name(ErrorCode code);

class [[nodiscard]] Error {
 public:
  Error(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Error invalid(std::string m) { return {ErrorCode::kInvalidInput, std::move(m)}; }
  static Error not_found(std::string m) { return {ErrorCode::kNotFound, std::move(m)}; }
  static Error io(std::string m) { return {ErrorCode::kIo, std::move(m)}; }
  static Error unsupported(std::string m) { return {ErrorCode::kUnsupported, std::move(m)}; }
  static Error limit(std::string m) { return {ErrorCode::kLimitExceeded, std::move(m)}; }
  static Error digest_mismatch(std::string m) { return {ErrorCode::kDigestMismatch, std::move(m)}; }
  static Error internal(std::string m) { return {ErrorCode::kInternal, std::move(m)}; }
  // errno-based I/O error: "open: No such file or directory"
  static Error from_errno(std::string_view what, int err);

  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // Context is prepended as the error travels outwards: "layer sha256:ab..: usr/x: truncated".
  Error with_context(std::string_view context) const&;
  Error with_context(std::string_view context) &&;
  std::string to_string() const { return message_; }

 private:
  ErrorCode code_;
  std::string message_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& {
    assert(!ok());
    return std::get<1>(v_);
  }
  Error&& error() && {
    assert(!ok());
    return std::get<1>(std::move(v_));
  }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const& {
    assert(!ok_);
    return error_;
  }
  Error&& error() && {
    assert(!ok_);
    return std::move(error_);
  }

 private:
  Error error_{ErrorCode::kInternal, ""};
  bool ok_ = true;
};

inline Result<void> ok() {
  return {};
}

}  // namespace bulwark::core

// Early-return helpers in the Abseil style (ASSIGN_OR_RETURN), kept to these two macros.
#define BW_CONCAT_INNER(a, b) a##b
#define BW_CONCAT(a, b) BW_CONCAT_INNER(a, b)

// Propagates the error of a Result<void> (or any Result) expression.
#define BW_TRY(expr)                            \
  do {                                          \
    auto bw_try_result_ = (expr);               \
    if (!bw_try_result_.ok()) {                 \
      return std::move(bw_try_result_).error(); \
    }                                           \
  } while (false)

// `BW_ASSIGN_OR_RETURN(auto x, f());` declares x from f()'s value or returns its error.
#define BW_ASSIGN_OR_RETURN(lhs, expr) \
  BW_ASSIGN_OR_RETURN_IMPL(BW_CONCAT(bw_r_, __LINE__), lhs, expr)
// `tmp` and `lhs` cannot be parenthesised: they are a name and a declaration.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define BW_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) {                               \
    return std::move(tmp).error();               \
  }                                              \
  lhs = std::move(tmp).value()
// NOLINTEND(bugprone-macro-parentheses)
