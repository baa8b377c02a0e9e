// classify.cpp — (Skeleton: leaves every verdict undefined until the reason classifier lands.)
#include "classifiers/classify.hpp"

namespace ndr::classifiers {

void classify(DeliveryReport&) {}

} // namespace ndr::classifiers
