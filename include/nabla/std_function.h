// nabla/std_function.h — std::function, without the rest of <functional>.
//
// std::function is the only thing nabla's public headers take from <functional>, and in
// libstdc++ (C++20) <functional> also brings the searchers, <unordered_map> and the algorithms:
// a sixth of what a file that includes <nabla/nabla.h> costs to compile. With libstdc++ this
// includes only the header that defines std::function; with another library, <functional>.
// A file that uses std::hash, std::bind, std::invoke, ... includes <functional> itself.
//
//   #include "nabla/std_function.h"
//   std::function<void()> f = [] {};
#pragma once
#include <version>  // defines __GLIBCXX__ when the library is libstdc++

#if defined(__GLIBCXX__) && __has_include(<bits/std_function.h>)
#include <bits/std_function.h>
#else
#include <functional>
#endif
