// The common-password check of NIST SP 800-63B section 5.1.1.2: a password
// found on a list of commonly used ones is refused at sign-up, password
// change and admin creation.
//
// The list is the 10,000 most common passwords of zxcvbn's frequency list
// (auth/common_passwords.txt; provenance and license beside it), compiled
// into the binary. The lookup is a hash-set probe on the lower-cased
// password (the list is lower case), O(1); the set is built on first use,
// thread-safely, and lives for the process.
#pragma once

#include <cstddef>
#include <string_view>

namespace keel::auth {

bool IsCommonPassword(std::string_view password);
// How many passwords the list holds (10,000).
size_t CommonPasswordCount();

}  // namespace keel::auth
