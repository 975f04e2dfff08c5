/* Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include "nid_internal.h"

const char *
nid_version(void)
{
	return NID_VERSION_STRING;
}

unsigned long
nid_version_number(void)
{
	return NID_VERSION_NUMBER;
}
