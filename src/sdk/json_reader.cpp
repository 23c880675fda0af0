#include "sdk/json_reader.hpp"

namespace cliproxy::json::internal {

const char* ReadError::Message() const {
  switch (code) {
    case Code::kNone:
      return "no error";
    case Code::kDocumentEmpty:
      return "The document is empty.";
    case Code::kRootNotSingular:
      return "The document root must not be followed by other values.";
    case Code::kValueInvalid:
      return "Invalid value.";
    case Code::kMissName:
      return "Missing a name for object member.";
    case Code::kMissColon:
      return "Missing a colon after a name of object member.";
    case Code::kMissCommaOrCurlyBracket:
      return "Missing a comma or '}' after an object member.";
    case Code::kMissCommaOrSquareBracket:
      return "Missing a comma or ']' after an array element.";
    case Code::kInvalidHexEscape:
      return "Incorrect hex digit after \\u escape in string.";
    case Code::kInvalidEscape:
      return "Invalid escape character in string.";
    case Code::kMissQuotationMark:
      return "Missing a closing quotation mark in string.";
    case Code::kNumberTooBig:
      return "Number too big to be stored in double.";
    case Code::kMissFraction:
      return "Miss fraction part in number.";
    case Code::kMissExponent:
      return "Miss exponent in number.";
    case Code::kStopped:
      break;
  }
  return "Terminate parsing due to Handler error.";
}

}  // namespace cliproxy::json::internal
