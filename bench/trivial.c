/* SPDX-License-Identifier: MIT */
/* Baseline: the cost of starting and ending a C process. */
int main(void)
{
    return 0;
}
