// Errors that the command line reports with exit status 2: bad input, never a bug.
#pragma once

#include <stdexcept>
#include <string>

namespace bitcim {

/// Raised for any input the model refuses: a bad argument, a malformed file,
/// an impossible configuration. The message names the problem and where it is.
class InputError : public std::runtime_error {
public:
    explicit InputError(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace bitcim
