// Force-included into every bulwark source file: unbounded C string functions fail to compile.
#pragma once
#include <cstdio>
#include <cstring>

#define BULWARK_BANNED(fn) fn##_is_banned_use_a_bounded_alternative
#undef strcpy
#define strcpy(...) BULWARK_BANNED(strcpy)
#undef strcat
#define strcat(...) BULWARK_BANNED(strcat)
#undef sprintf
#define sprintf(...) BULWARK_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BULWARK_BANNED(vsprintf)
#undef gets
#define gets(...) BULWARK_BANNED(gets)
