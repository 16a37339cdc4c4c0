#include "http/request.h"

#include <arpa/inet.h>

namespace keel::http {

std::string_view FormatAddress(std::string_view raw, char* out) {
  int family = raw.size() == 16 ? AF_INET6 : AF_INET;
  if ((raw.size() != 4 && raw.size() != 16) ||
      inet_ntop(family, raw.data(), out, INET6_ADDRSTRLEN) == nullptr)
    return {};
  return std::string_view(out);
}

std::string_view Request::Find(std::string_view name) const {
  for (const Header& h : headers)
    if (EqualsIgnoreCase(h.name, name)) return h.value;
  return {};
}

bool Request::Has(std::string_view name) const {
  for (const Header& h : headers)
    if (EqualsIgnoreCase(h.name, name)) return true;
  return false;
}

}  // namespace keel::http
