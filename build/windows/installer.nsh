; Included by electron-builder's NSIS script (electron-builder.yml nsis.include).
; Uninstall removes the click-to-call handlers Trayphone registered for this user at runtime
; (app.setAsDefaultProtocolClient writes HKCU\Software\Classes\<scheme>), but only a key whose
; open command still points into this installation: a handler another app took over since is
; left alone. Per-machine installs clean the uninstalling user's keys; other users' keys name a
; missing executable, which Windows ignores.
!include "StrFunc.nsh"
${UnStrStr}

!macro trayphoneRemoveScheme SCHEME
  ReadRegStr $0 HKCU "Software\Classes\${SCHEME}\shell\open\command" ""
  ${UnStrStr} $1 $0 "$INSTDIR"
  StrCmp $1 "" +2 0
    DeleteRegKey HKCU "Software\Classes\${SCHEME}"
!macroend

!macro customUnInstall
  !insertmacro trayphoneRemoveScheme "trayphone"
  !insertmacro trayphoneRemoveScheme "tel"
  !insertmacro trayphoneRemoveScheme "sip"
  !insertmacro trayphoneRemoveScheme "sips"
  !insertmacro trayphoneRemoveScheme "callto"
!macroend
