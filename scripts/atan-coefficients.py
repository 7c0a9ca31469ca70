#!/usr/bin/env python3
"""The polynomial of kernels::phaseOfTangentOne (native/core/engine/kernels.hpp).

atan(r) = r + r s P(s) with s = r^2 and |r| <= tan(pi/8): P is the Chebyshev fit of degree 10 of
(atan(sqrt(s)) - sqrt(s)) / s^(3/2) on [0, 1.02 tan^2(pi/8)] (2% beyond the reduced range, for
the round-off of the reduction). Prints the coefficients, highest degree first, as kernels.hpp
has them, the fit's error bound times the range (the relative error it adds to atan(r)), and the
two parts of pi/4. Needs mpmath (`pip install mpmath`); a maintenance script, not part of the
build.
"""
import mpmath as mp

mp.mp.dps = 60
end = mp.tan(mp.pi / 8) ** 2 * mp.mpf('1.02')


def f(s):
    if s == 0:
        return mp.mpf(-1) / 3
    x = mp.sqrt(s)
    return (mp.atan(x) - x) / (s * x)


poly, err = mp.chebyfit(f, [0, end], 11, error=True)
print('relative error added to atan(r) <=', mp.nstr(err * end, 3))
for c in poly:
    print(repr(float(c)))
hi = float(mp.floor(mp.pi / 4 * 2**30) / 2**30)
print('pi/4 hi (30 bits)', repr(hi), 'lo', repr(float(mp.pi / 4 - hi)))
