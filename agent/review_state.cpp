// review_state.cpp — see review_state.hpp.
#include "agent/review_state.hpp"

#include <iostream>
#include <sys/stat.h>

namespace ndr::agent {

std::expected<ReviewState, int> open_review_state(const GlobalOptions& global, const std::string& state_flag,
                                                  std::string_view command) {
    ReviewState st;
    auto config = load_config_or_default(global.config_path);
    if (!config) {
        for (const auto& e : config.error())
            std::cerr << e << "\n";
        return std::unexpected(3);
    }
    st.config = std::move(*config);
    st.path = state_flag;
    if (st.path.empty()) st.path = st.config.state.path;
    if (st.path.empty())
        st.path = std::string(st.config.path.empty() ? k_local_state_path : k_default_state_path);
    struct stat sb {};
    if (::stat(st.path.c_str(), &sb) != 0) {
        std::cerr << "ndr-triage " << command << ": no state database at " << st.path
                  << " (run `ndr-triage scan` first)\n";
        return std::unexpected(2);
    }
    auto db = store::Store::open_existing(st.path);
    if (!db) {
        std::cerr << "ndr-triage " << command << ": " << db.error() << "\n";
        return std::unexpected(3);
    }
    st.db = std::move(*db);
    if (auto p = make_pipeline(global)) st.pipeline = std::make_unique<Pipeline>(std::move(*p));
    return st;
}

} // namespace ndr::agent
