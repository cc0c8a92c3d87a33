#include "asyncconf/accel/completion.hpp"

namespace asyncconf::accel {

std::string_view to_string(CompletionStatus status) noexcept {
  switch (status) {
    case CompletionStatus::Ok: return "ok";
    case CompletionStatus::DeviceError: return "device_error";
    case CompletionStatus::Cancelled: return "cancelled";
  }
  return "?";
}

}  // namespace asyncconf::accel
