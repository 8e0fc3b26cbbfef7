// The one translation unit that compiles Asio and Beast (BOOST_ASIO_SEPARATE_COMPILATION and
// BOOST_BEAST_SEPARATE_COMPILATION are set for pinfold_http and everything linking it), so the
// other files include only declarations and build in a fraction of the time.
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
