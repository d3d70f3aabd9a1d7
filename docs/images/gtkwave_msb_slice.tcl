gtkwave::addSignalsFromList {system.pe.adc_clk system.pe.slice3+.start system.pe.slice3+.comp system.pe.slice3+.dac_code system.pe.slice3+.done system.pe.slice3+.code system.pe.slice3+.sar_adc_ctrl.busy_q system.pe.slice3+.sar_adc_ctrl.idx_q system.pe.slice3+.sar_adc_ctrl.trial system.pe.slice3+.sar_adc_ctrl.code_q system.pe.slice3+.sar_adc_ctrl.result_q}
gtkwave::setZoomRangeTimes 25737900 25739900
gtkwave::/Edit/Highlight_All
gtkwave::/Edit/Data_Format/Decimal
gtkwave::/Edit/UnHighlight_All
after 1000
gtkwave::/File/Grab_To_File docs/images/gtkwave_msb_slice.png
after 300
gtkwave::/File/Quit
