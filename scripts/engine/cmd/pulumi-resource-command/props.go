package main

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Input values may arrive wrapped as secrets; the helpers below read through
// that wrapping so the command logic sees plain values.

func unwrap(v resource.PropertyValue) resource.PropertyValue {
	for v.IsSecret() {
		v = v.SecretValue().Element
	}
	if v.IsOutput() {
		o := v.OutputValue()
		if !o.Known {
			return resource.MakeComputed(resource.NewStringProperty(""))
		}
		return unwrap(o.Element)
	}
	return v
}

// plain strips secrets (deeply) so two values can be compared by content.
func plain(v resource.PropertyValue) resource.PropertyValue {
	v = unwrap(v)
	switch {
	case v.IsArray():
		arr := v.ArrayValue()
		out := make([]resource.PropertyValue, len(arr))
		for i, e := range arr {
			out[i] = plain(e)
		}
		return resource.NewArrayProperty(out)
	case v.IsObject():
		obj := v.ObjectValue()
		out := resource.PropertyMap{}
		for k, e := range obj {
			out[k] = plain(e)
		}
		return resource.NewObjectProperty(out)
	}
	return v
}

func get(m resource.PropertyMap, key string) (resource.PropertyValue, bool) {
	v, ok := m[resource.PropertyKey(key)]
	if !ok {
		return resource.PropertyValue{}, false
	}
	v = unwrap(v)
	if v.IsNull() {
		return v, false
	}
	return v, true
}

func getString(m resource.PropertyMap, key string) (*string, error) {
	v, ok := get(m, key)
	if !ok {
		return nil, nil
	}
	if !v.IsString() {
		return nil, fmt.Errorf("property %q must be a string, got %s", key, v.TypeString())
	}
	s := v.StringValue()
	return &s, nil
}

func getBool(m resource.PropertyMap, key string, def bool) (bool, error) {
	v, ok := get(m, key)
	if !ok {
		return def, nil
	}
	if !v.IsBool() {
		return def, fmt.Errorf("property %q must be a boolean, got %s", key, v.TypeString())
	}
	return v.BoolValue(), nil
}

func getInt(m resource.PropertyMap, key string, def int) (int, error) {
	v, ok := get(m, key)
	if !ok {
		return def, nil
	}
	if !v.IsNumber() {
		return def, fmt.Errorf("property %q must be a number, got %s", key, v.TypeString())
	}
	return int(v.NumberValue()), nil
}

func getStrings(m resource.PropertyMap, key string) ([]string, error) {
	v, ok := get(m, key)
	if !ok {
		return nil, nil
	}
	if !v.IsArray() {
		return nil, fmt.Errorf("property %q must be a list of strings, got %s", key, v.TypeString())
	}
	var out []string
	for i, e := range v.ArrayValue() {
		e = unwrap(e)
		if !e.IsString() {
			return nil, fmt.Errorf("property %q[%d] must be a string, got %s", key, i, e.TypeString())
		}
		out = append(out, e.StringValue())
	}
	return out, nil
}

func getStringMap(m resource.PropertyMap, key string) (map[string]string, error) {
	v, ok := get(m, key)
	if !ok {
		return nil, nil
	}
	if !v.IsObject() {
		return nil, fmt.Errorf("property %q must be a map of strings, got %s", key, v.TypeString())
	}
	out := map[string]string{}
	for k, e := range v.ObjectValue() {
		e = unwrap(e)
		if e.IsNull() {
			continue
		}
		if !e.IsString() {
			return nil, fmt.Errorf("property %q[%q] must be a string, got %s", key, k, e.TypeString())
		}
		out[string(k)] = e.StringValue()
	}
	return out, nil
}

func getObject(m resource.PropertyMap, key string) (resource.PropertyMap, error) {
	v, ok := get(m, key)
	if !ok {
		return nil, nil
	}
	if !v.IsObject() {
		return nil, fmt.Errorf("property %q must be an object, got %s", key, v.TypeString())
	}
	return v.ObjectValue(), nil
}

// setDefault fills key in an object-valued property, keeping the property's
// secretness, so state and diffs show the same defaults as the upstream provider.
func setDefaults(m resource.PropertyMap, key string, defaults map[string]resource.PropertyValue) {
	raw, ok := m[resource.PropertyKey(key)]
	if !ok {
		return
	}
	secret := raw.ContainsSecrets() && raw.IsSecret()
	v := unwrap(raw)
	if !v.IsObject() {
		return
	}
	obj := v.ObjectValue().Copy()
	for k, d := range defaults {
		if cur, ok := obj[resource.PropertyKey(k)]; !ok || cur.IsNull() {
			obj[resource.PropertyKey(k)] = d
		}
	}
	nv := resource.NewObjectProperty(obj)
	if secret {
		nv = resource.MakeSecret(nv)
	}
	m[resource.PropertyKey(key)] = nv
}
