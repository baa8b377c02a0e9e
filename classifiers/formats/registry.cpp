// registry.cpp — order in which vendor-format modules are tried. (Skeleton: no modules yet.)
#include "classifiers/formats/format.hpp"

namespace ndr::classifiers::formats {

void apply_vendor_formats(const ParsedMessage&, DeliveryReport&) {}

} // namespace ndr::classifiers::formats
